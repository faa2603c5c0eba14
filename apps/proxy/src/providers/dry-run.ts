/** The assistant text of a dry-run response: the request was checked but never forwarded. */
export const DRY_RUN_TEXT = 'Dry run: Rungate checked this request against its policy and did not forward it.';
