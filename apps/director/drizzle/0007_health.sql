CREATE TABLE `health_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`public_fields` text NOT NULL,
	`sealed_secrets` text NOT NULL,
	`sender_alerted` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "health_settings_single_row" CHECK("health_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `profile_health` (
	`profile_id` text PRIMARY KEY NOT NULL,
	`next_run_at` text,
	`scheduled_hours` integer,
	`alerted` text NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `verifications` ADD `last_verified_at` text;