CREATE TABLE `conversation` (
	`id` varchar(64) NOT NULL,
	`created_at` datetime,
	`updated_at` datetime,
	`waiting_since` datetime,
	`snoozed_until` datetime,
	`state` varchar(64),
	`open` boolean,
	`read` boolean,
	`priority` varchar(64),
	`title` text,
	`admin_assignee_id` varchar(64),
	`team_assignee_id` varchar(64),
	`source_type` varchar(64),
	`source_id` varchar(64),
	`source_delivered_as` varchar(64),
	`source_subject` text,
	`source_body` mediumtext,
	`source_author_type` varchar(64),
	`source_author_id` varchar(64),
	`source_author_name` text,
	`source_author_email` varchar(255),
	`time_to_assignment` bigint,
	`time_to_admin_reply` bigint,
	`time_to_first_close` bigint,
	`time_to_last_close` bigint,
	`median_time_to_reply` bigint,
	`first_contact_reply_at` datetime,
	`first_assignment_at` datetime,
	`first_admin_reply_at` datetime,
	`first_close_at` datetime,
	`last_assignment_at` datetime,
	`last_assignment_admin_reply_at` datetime,
	`last_contact_reply_at` datetime,
	`last_admin_reply_at` datetime,
	`last_close_at` datetime,
	`last_closed_by_id` varchar(64),
	`count_reopens` bigint,
	`count_assignments` bigint,
	`count_conversation_parts` bigint,
	`handling_time` bigint,
	`rating` int,
	`rating_remark` text,
	`tags` json,
	`parts_count` int NOT NULL,
	`parts_complete` boolean NOT NULL,
	`raw` json NOT NULL,
	CONSTRAINT `conversation_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `conversation_contact` (
	`conversation_id` varchar(64) NOT NULL,
	`contact_id` varchar(64) NOT NULL,
	CONSTRAINT `conversation_contact_conversation_id_contact_id_pk` PRIMARY KEY(`conversation_id`,`contact_id`)
);
--> statement-breakpoint
CREATE TABLE `conversation_part` (
	`id` varchar(64) NOT NULL,
	`conversation_id` varchar(64) NOT NULL,
	`position` int NOT NULL,
	`part_type` varchar(64),
	`body` mediumtext,
	`author_type` varchar(64),
	`author_id` varchar(64),
	`author_name` text,
	`assigned_to_type` varchar(64),
	`assigned_to_id` varchar(64),
	`created_at` datetime,
	`updated_at` datetime,
	`notified_at` datetime,
	`raw` json NOT NULL,
	CONSTRAINT `conversation_part_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `quarantine` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`stream` varchar(64) NOT NULL,
	`record_id` varchar(255),
	`reason` text NOT NULL,
	`raw` longtext NOT NULL,
	`loaded_at` datetime NOT NULL,
	CONSTRAINT `quarantine_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` varchar(64) NOT NULL,
	`external_id` varchar(255),
	`role` varchar(64),
	`email` varchar(255),
	`name` text,
	`phone` varchar(255),
	`owner_id` varchar(64),
	`created_at` datetime,
	`updated_at` datetime,
	`signed_up_at` datetime,
	`last_seen_at` datetime,
	`location` json,
	`custom_attributes` json,
	`tags` json,
	`companies` json,
	`raw` json NOT NULL,
	CONSTRAINT `users_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `conversation_updated_at_idx` ON `conversation` (`updated_at`);--> statement-breakpoint
CREATE INDEX `conversation_state_idx` ON `conversation` (`state`);--> statement-breakpoint
CREATE INDEX `conversation_contact_contact_id_idx` ON `conversation_contact` (`contact_id`);--> statement-breakpoint
CREATE INDEX `conversation_part_conversation_id_idx` ON `conversation_part` (`conversation_id`);--> statement-breakpoint
CREATE INDEX `conversation_part_created_at_idx` ON `conversation_part` (`created_at`);--> statement-breakpoint
CREATE INDEX `quarantine_stream_idx` ON `quarantine` (`stream`);--> statement-breakpoint
CREATE INDEX `users_email_idx` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_updated_at_idx` ON `users` (`updated_at`);