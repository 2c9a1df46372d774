CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`parent_id` text,
	`path` text NOT NULL,
	`depth` integer NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`kind` text DEFAULT 'team' NOT NULL,
	`level` integer,
	`timezone` text,
	`config_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_path_idx` ON `accounts` (`path`);--> statement-breakpoint
CREATE INDEX `accounts_parent_idx` ON `accounts` (`parent_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`account_path` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`before` text,
	`after` text,
	`ip` text,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_path_ts_idx` ON `audit_log` (`account_path`,`ts`);--> statement-breakpoint
CREATE TABLE `budget_alerts` (
	`account_id` text NOT NULL,
	`period` text NOT NULL,
	`threshold` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `period`, `threshold`)
);
--> statement-breakpoint
CREATE TABLE `gateway_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`policy` text,
	`expires_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gateway_keys_hash_idx` ON `gateway_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `gateway_keys_account_idx` ON `gateway_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`counterparty_account_id` text,
	`ref` text,
	`memo` text,
	`created_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ledger_account_idx` ON `ledger_entries` (`account_id`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_ref_idx` ON `ledger_entries` (`account_id`,`kind`,`ref`);--> statement-breakpoint
CREATE TABLE `levels` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`retries` integer DEFAULT 1 NOT NULL,
	`connect_timeout_ms` integer DEFAULT 10000 NOT NULL,
	`first_byte_timeout_ms` integer DEFAULT 60000 NOT NULL,
	`idle_timeout_ms` integer DEFAULT 60000 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `management_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `management_tokens_hash_idx` ON `management_tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `model_prices` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`account_id` text,
	`effective_from` text NOT NULL,
	`input_per_mtok` integer DEFAULT 0 NOT NULL,
	`output_per_mtok` integer DEFAULT 0 NOT NULL,
	`cached_read_per_mtok` integer,
	`cache_write_per_mtok` integer,
	`reasoning_per_mtok` integer,
	`per_image` integer,
	`per_audio_second` integer,
	`per_million_chars` integer,
	`per_web_search` integer,
	`markup_bps` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_prices_key_idx` ON `model_prices` (`model`,`account_id`,`effective_from`);--> statement-breakpoint
CREATE TABLE `plan_grants` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`kind` text NOT NULL,
	`starts_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`daily_allowance` integer,
	`remaining` integer,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `plan_grants_account_idx` ON `plan_grants` (`account_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`daily_allowance` integer,
	`amount` integer,
	`validity_days` integer NOT NULL,
	`price` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `policies` (
	`account_id` text PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `redemption_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`plan_id` text NOT NULL,
	`created_by_account_id` text NOT NULL,
	`expires_at` integer,
	`redeemed_by_account_id` text,
	`redeemed_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `upstream_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`level_id` integer NOT NULL,
	`provider` text NOT NULL,
	`base_url` text,
	`weight` integer DEFAULT 1 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`credential_kind` text DEFAULT 'api_key' NOT NULL,
	`ciphertext` text,
	`kek_id` text,
	`fingerprint` text,
	`last4` text,
	`options` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`level_id`) REFERENCES `levels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `upstream_keys_level_idx` ON `upstream_keys` (`level_id`);--> statement-breakpoint
CREATE TABLE `usage_daily` (
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`model` text NOT NULL,
	`account_path` text NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cached_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`images` integer DEFAULT 0 NOT NULL,
	`audio_seconds` integer DEFAULT 0 NOT NULL,
	`audio_chars` integer DEFAULT 0 NOT NULL,
	`web_search_calls` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`estimated_requests` integer DEFAULT 0 NOT NULL,
	`unpriced_requests` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`account_id`, `day`, `model`)
);
--> statement-breakpoint
CREATE INDEX `usage_daily_path_day_idx` ON `usage_daily` (`account_path`,`day`);--> statement-breakpoint
CREATE TABLE `usage_events` (
	`request_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`account_path` text NOT NULL,
	`key_id` text,
	`day` text NOT NULL,
	`ts` integer NOT NULL,
	`endpoint` text NOT NULL,
	`client_protocol` text NOT NULL,
	`provider` text,
	`model_requested` text NOT NULL,
	`model` text NOT NULL,
	`level` integer,
	`upstream_key_id` text,
	`status` integer NOT NULL,
	`error_code` text,
	`stream` integer NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cached_read_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`images` integer DEFAULT 0 NOT NULL,
	`audio_seconds` integer DEFAULT 0 NOT NULL,
	`audio_chars` integer DEFAULT 0 NOT NULL,
	`web_search_calls` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`estimated` integer DEFAULT false NOT NULL,
	`unpriced` integer DEFAULT false NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	`retries` integer DEFAULT 0 NOT NULL,
	`switched_over` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_events_ts_idx` ON `usage_events` (`ts`);--> statement-breakpoint
CREATE INDEX `usage_events_account_day_idx` ON `usage_events` (`account_path`,`day`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`last_login_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_idx` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_account_idx` ON `users` (`account_id`);