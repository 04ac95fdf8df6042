ALTER TABLE `attempts` ADD `delivery` text;--> statement-breakpoint
ALTER TABLE `attempts` ADD `sent_response` text;