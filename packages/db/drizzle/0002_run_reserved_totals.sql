ALTER TABLE "runs" ADD COLUMN "reserved_usd" numeric(20, 10) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reserved_tokens" bigint DEFAULT 0 NOT NULL;