CREATE TABLE `anomaly_actions` (
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`action` text NOT NULL,
	`metric` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `day`)
);
