CREATE TABLE `admin` (
	`id` varchar(64) NOT NULL,
	`name` text,
	`email` varchar(255),
	`job_title` text,
	`away_mode_enabled` boolean,
	`away_mode_reassign` boolean,
	`has_inbox_seat` boolean,
	`team_ids` json,
	`raw` json NOT NULL,
	CONSTRAINT `admin_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `company` (
	`id` varchar(64) NOT NULL,
	`company_id` varchar(255),
	`name` text,
	`plan_name` text,
	`size` bigint,
	`website` text,
	`industry` text,
	`monthly_spend` double,
	`user_count` bigint,
	`session_count` bigint,
	`created_at` datetime,
	`updated_at` datetime,
	`remote_created_at` datetime,
	`last_request_at` datetime,
	`custom_attributes` json,
	`tags` json,
	`segments` json,
	`raw` json NOT NULL,
	CONSTRAINT `company_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `contact_company` (
	`contact_id` varchar(64) NOT NULL,
	`company_id` varchar(64) NOT NULL,
	CONSTRAINT `contact_company_contact_id_company_id_pk` PRIMARY KEY(`contact_id`,`company_id`)
);
--> statement-breakpoint
CREATE TABLE `contact_tag` (
	`contact_id` varchar(64) NOT NULL,
	`tag_id` varchar(64) NOT NULL,
	CONSTRAINT `contact_tag_contact_id_tag_id_pk` PRIMARY KEY(`contact_id`,`tag_id`)
);
--> statement-breakpoint
CREATE TABLE `conversation_tag` (
	`conversation_id` varchar(64) NOT NULL,
	`tag_id` varchar(64) NOT NULL,
	CONSTRAINT `conversation_tag_conversation_id_tag_id_pk` PRIMARY KEY(`conversation_id`,`tag_id`)
);
--> statement-breakpoint
CREATE TABLE `data_attribute` (
	`model` varchar(64) NOT NULL,
	`name` varchar(255) NOT NULL,
	`id` varchar(64),
	`full_name` text,
	`label` text,
	`description` text,
	`data_type` varchar(64),
	`custom` boolean,
	`archived` boolean,
	`api_writable` boolean,
	`ui_writable` boolean,
	`created_at` datetime,
	`updated_at` datetime,
	`raw` json NOT NULL,
	CONSTRAINT `data_attribute_model_name_pk` PRIMARY KEY(`model`,`name`)
);
--> statement-breakpoint
CREATE TABLE `segment` (
	`id` varchar(64) NOT NULL,
	`name` text,
	`person_type` varchar(64),
	`count` bigint,
	`created_at` datetime,
	`updated_at` datetime,
	`raw` json NOT NULL,
	CONSTRAINT `segment_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `sync_state` (
	`stream` varchar(64) NOT NULL,
	`full_run_id` varchar(255),
	`full_loaded_at` datetime,
	`increment_run_id` varchar(255),
	`increment_loaded_at` datetime,
	`changes_through` datetime,
	`last_event_id` varchar(255),
	`last_event_applied_at` datetime,
	CONSTRAINT `sync_state_stream` PRIMARY KEY(`stream`)
);
--> statement-breakpoint
CREATE TABLE `tag` (
	`id` varchar(64) NOT NULL,
	`name` text,
	`raw` json NOT NULL,
	CONSTRAINT `tag_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `team` (
	`id` varchar(64) NOT NULL,
	`name` text,
	`admin_ids` json,
	`raw` json NOT NULL,
	CONSTRAINT `team_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `team_admin` (
	`team_id` varchar(64) NOT NULL,
	`admin_id` varchar(64) NOT NULL,
	CONSTRAINT `team_admin_team_id_admin_id_pk` PRIMARY KEY(`team_id`,`admin_id`)
);
--> statement-breakpoint
CREATE TABLE `ticket` (
	`id` varchar(64) NOT NULL,
	`ticket_id` varchar(255),
	`category` varchar(64),
	`ticket_type_id` varchar(64),
	`ticket_type_name` text,
	`ticket_state_id` varchar(64),
	`ticket_state_category` varchar(64),
	`title` text,
	`open` boolean,
	`is_shared` boolean,
	`admin_assignee_id` varchar(64),
	`team_assignee_id` varchar(64),
	`created_at` datetime,
	`updated_at` datetime,
	`snoozed_until` datetime,
	`ticket_attributes` json,
	`contacts` json,
	`parts_count` int NOT NULL,
	`raw` json NOT NULL,
	CONSTRAINT `ticket_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `ticket_part` (
	`id` varchar(64) NOT NULL,
	`ticket_id` varchar(64) NOT NULL,
	`position` int NOT NULL,
	`part_type` varchar(64),
	`body` mediumtext,
	`previous_ticket_state` varchar(64),
	`ticket_state` varchar(64),
	`author_type` varchar(64),
	`author_id` varchar(64),
	`created_at` datetime,
	`updated_at` datetime,
	`raw` json NOT NULL,
	CONSTRAINT `ticket_part_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `webhook_event` (
	`id` varchar(255) NOT NULL,
	`topic` varchar(64) NOT NULL,
	`item_type` varchar(64),
	`item_id` varchar(64),
	`created_at` datetime,
	`applied_at` datetime NOT NULL,
	`raw` json NOT NULL,
	CONSTRAINT `webhook_event_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE INDEX `company_company_id_idx` ON `company` (`company_id`);--> statement-breakpoint
CREATE INDEX `company_updated_at_idx` ON `company` (`updated_at`);--> statement-breakpoint
CREATE INDEX `contact_company_company_id_idx` ON `contact_company` (`company_id`);--> statement-breakpoint
CREATE INDEX `contact_tag_tag_id_idx` ON `contact_tag` (`tag_id`);--> statement-breakpoint
CREATE INDEX `conversation_tag_tag_id_idx` ON `conversation_tag` (`tag_id`);--> statement-breakpoint
CREATE INDEX `team_admin_admin_id_idx` ON `team_admin` (`admin_id`);--> statement-breakpoint
CREATE INDEX `ticket_updated_at_idx` ON `ticket` (`updated_at`);--> statement-breakpoint
CREATE INDEX `ticket_state_category_idx` ON `ticket` (`ticket_state_category`);--> statement-breakpoint
CREATE INDEX `ticket_part_ticket_id_idx` ON `ticket_part` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `webhook_event_applied_at_idx` ON `webhook_event` (`applied_at`);--> statement-breakpoint
CREATE INDEX `webhook_event_topic_idx` ON `webhook_event` (`topic`);--> statement-breakpoint
CREATE INDEX `webhook_event_item_idx` ON `webhook_event` (`item_id`);