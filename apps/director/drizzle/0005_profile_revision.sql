ALTER TABLE `profiles` ADD `revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
CREATE TRIGGER `profiles_revision` AFTER UPDATE ON `profiles` WHEN NEW.`revision` = OLD.`revision` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = NEW.`id`; END;
--> statement-breakpoint
CREATE TRIGGER `profile_actors_insert_revision` AFTER INSERT ON `profile_actors` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = NEW.`profile_id`; END;
--> statement-breakpoint
CREATE TRIGGER `profile_actors_update_revision` AFTER UPDATE ON `profile_actors` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = NEW.`profile_id`; UPDATE `profiles` SET `revision` = `revision` + 1 WHERE OLD.`profile_id` <> NEW.`profile_id` AND `id` = OLD.`profile_id`; END;
--> statement-breakpoint
CREATE TRIGGER `profile_actors_delete_revision` AFTER DELETE ON `profile_actors` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = OLD.`profile_id`; END;
--> statement-breakpoint
CREATE TRIGGER `verifications_insert_revision` AFTER INSERT ON `verifications` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = NEW.`profile_id`; END;
--> statement-breakpoint
CREATE TRIGGER `verifications_update_revision` AFTER UPDATE ON `verifications` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = NEW.`profile_id`; UPDATE `profiles` SET `revision` = `revision` + 1 WHERE OLD.`profile_id` <> NEW.`profile_id` AND `id` = OLD.`profile_id`; END;
--> statement-breakpoint
CREATE TRIGGER `verifications_delete_revision` AFTER DELETE ON `verifications` BEGIN UPDATE `profiles` SET `revision` = `revision` + 1 WHERE `id` = OLD.`profile_id`; END;