PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`profile_id` text,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`lease_expires_at` text,
	`attempt_id` text,
	`result` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "tasks_kind" CHECK("__new_tasks"."kind" IN ('find_code', 'probe')),
	CONSTRAINT "tasks_profile" CHECK("__new_tasks"."kind" = 'probe' OR "__new_tasks"."profile_id" IS NOT NULL),
	CONSTRAINT "tasks_status" CHECK("__new_tasks"."status" IN ('queued', 'leased', 'done', 'failed'))
);
--> statement-breakpoint
INSERT INTO `__new_tasks`("id", "actor_id", "profile_id", "kind", "payload", "status", "lease_expires_at", "attempt_id", "result", "created_at") SELECT "id", "actor_id", "profile_id", "kind", "payload", "status", "lease_expires_at", "attempt_id", "result", "created_at" FROM `tasks`;--> statement-breakpoint
DROP TABLE `tasks`;--> statement-breakpoint
ALTER TABLE `__new_tasks` RENAME TO `tasks`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `tasks_actor_status_idx` ON `tasks` (`actor_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_profile_idx` ON `tasks` (`profile_id`);