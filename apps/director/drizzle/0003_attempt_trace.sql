ALTER TABLE `attempts` ADD `sent` text;--> statement-breakpoint
ALTER TABLE `attempts` ADD `received_at` text;--> statement-breakpoint
ALTER TABLE `attempts` ADD `searched` text;--> statement-breakpoint
-- Replies recorded before the send time was: the send follows the request within moments.
UPDATE `attempts` SET `sent` = json_object('at', `requested_at`, 'response', `sent_response`) WHERE `sent_response` IS NOT NULL;