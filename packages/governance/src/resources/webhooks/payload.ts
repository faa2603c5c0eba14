/** The JSON body of every delivery, signed byte for byte as stored in `webhook_deliveries.payload`. */
export interface EventPayload {
  id: string;
  type: string;
  created_at: string;
  org_id: string;
  data: Record<string, unknown>;
}

/** Fixed key order, so the stored body is exactly what receivers see. */
export const serializePayload = (event: EventPayload): string =>
  JSON.stringify({
    id: event.id,
    type: event.type,
    created_at: event.created_at,
    org_id: event.org_id,
    data: event.data,
  });
