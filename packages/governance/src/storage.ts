/**
 * Opening the database, for processes that run governance (the standalone proxy, its bench)
 * without reaching into the storage package themselves.
 */
export {
  createDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
  isConnectionError,
} from '@rungate/db';
