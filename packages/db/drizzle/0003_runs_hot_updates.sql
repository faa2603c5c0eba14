DROP INDEX "runs_status_last_activity_at_idx";--> statement-breakpoint
CREATE INDEX "runs_running_started_at_idx" ON "runs" USING btree ("started_at") WHERE "runs"."status" = 'running';--> statement-breakpoint
-- Room on each page for HOT updates: a run row is updated twice per call.
ALTER TABLE "runs" SET (fillfactor = 80);