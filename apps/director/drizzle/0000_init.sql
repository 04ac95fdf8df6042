CREATE TABLE `actors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`zone_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`enrolled_at` text NOT NULL,
	`last_seen_at` text,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actors_token_hash_unique` ON `actors` (`token_hash`);--> statement-breakpoint
CREATE INDEX `actors_zone_idx` ON `actors` (`zone_id`);--> statement-breakpoint
CREATE TABLE `enrollment_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`zone_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text,
	`actor_id` text,
	FOREIGN KEY (`zone_id`) REFERENCES `zones`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `enrollment_tokens_zone_idx` ON `enrollment_tokens` (`zone_id`);--> statement-breakpoint
CREATE TABLE `mail_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`public_fields` text NOT NULL,
	`sealed_secrets` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "mail_settings_single_row" CHECK("mail_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `profile_actors` (
	`profile_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`profile_id`, `actor_id`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `profile_actors_actor_idx` ON `profile_actors` (`actor_id`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`server_type` text NOT NULL,
	`public_fields` text NOT NULL,
	`sealed_secrets` text NOT NULL,
	`manual_code` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "profiles_server_type" CHECK("profiles"."server_type" IN ('graph', 'gmail', 'imap', 'pop3'))
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`lease_expires_at` text,
	`attempt_id` text,
	`result` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "tasks_kind" CHECK("tasks"."kind" IN ('find_code', 'probe')),
	CONSTRAINT "tasks_status" CHECK("tasks"."status" IN ('queued', 'leased', 'done', 'failed'))
);
--> statement-breakpoint
CREATE INDEX `tasks_actor_status_idx` ON `tasks` (`actor_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_profile_idx` ON `tasks` (`profile_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `verifications` (
	`profile_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`state` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`profile_id`, `actor_id`),
	FOREIGN KEY (`profile_id`,`actor_id`) REFERENCES `profile_actors`(`profile_id`,`actor_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `zones` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `zones_name_unique` ON `zones` (`name`);