export {
  createDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
  type Driver,
  type Executor,
  type Schema,
  type Transaction,
} from './client.ts';
export { isConnectionError } from './connection-errors.ts';
export { type NotifyChannel, type NotifyHandlers, openNotifyChannel } from './notify.ts';
export { queryRows, returnedRow } from './query-rows.ts';
export * as schema from './schema/index.ts';
export * from './schema/index.ts';
