/**
 * The PostgreSQL role the API acts as on a workspace's behalf: row-level security confines it to the
 * workspace its transaction names (migration RowLevelSecurity1765100000000). A constant, not a setting:
 * migrations grant to it by name, and one role serves every Herald database in a cluster.
 */
export const API_ROLE = 'herald_api';
