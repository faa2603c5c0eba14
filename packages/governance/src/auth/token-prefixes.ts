/** How an admin token announces itself, so authentication knows which table to look in. */
export const ADMIN_TOKEN_PREFIX = 'rg_adm_';
