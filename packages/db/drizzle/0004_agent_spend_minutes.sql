CREATE TABLE "agent_spend_minutes" (
	"agent_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"cost_usd" numeric(20, 10) NOT NULL,
	CONSTRAINT "agent_spend_minutes_agent_id_minute_pk" PRIMARY KEY("agent_id","minute")
);
--> statement-breakpoint
ALTER TABLE "agent_spend_minutes" ADD CONSTRAINT "agent_spend_minutes_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The spend already in the ledger, so hourly caps hold across the upgrade.
INSERT INTO "agent_spend_minutes" ("agent_id", "minute", "cost_usd")
SELECT "agent_id", date_trunc('minute', "created_at"), sum("cost_usd") FROM "ledger_entries"
WHERE "created_at" > now() - interval '2 hours' AND "cost_usd" > 0
GROUP BY 1, 2;
