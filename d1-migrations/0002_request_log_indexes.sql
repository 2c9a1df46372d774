DROP INDEX `usage_events_account_day_idx`;--> statement-breakpoint
DROP INDEX `usage_events_ts_idx`;--> statement-breakpoint
CREATE INDEX `usage_events_path_ts_idx` ON `usage_events` (`account_path`,`ts`,`request_id`);--> statement-breakpoint
CREATE INDEX `usage_events_key_ts_idx` ON `usage_events` (`key_id`,`ts`,`request_id`);--> statement-breakpoint
CREATE INDEX `usage_events_ts_idx` ON `usage_events` (`ts`,`request_id`,`account_path`);