CREATE TABLE `usage_pending` (
	`request_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`ts` integer NOT NULL,
	`cost` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `ledger_entries` ADD `source` text;--> statement-breakpoint
ALTER TABLE `ledger_entries` ADD `grant_id` text;--> statement-breakpoint
ALTER TABLE `ledger_entries` ADD `day` text;--> statement-breakpoint
CREATE INDEX `ledger_grant_day_idx` ON `ledger_entries` (`grant_id`,`day`);