CREATE TABLE `attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`profile_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`mode` text NOT NULL,
	`requested_at` text NOT NULL,
	`ended_at` text,
	`outcome` text NOT NULL,
	`failure` text,
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `attempts_profile_actor_idx` ON `attempts` (`profile_id`,`actor_id`,`requested_at`);