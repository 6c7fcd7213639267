// @ts-check

/**
 * From when a re-verifying check holds up a grant: a grant a person approved and a
 * re-verifying check (PagerDuty on-call with `revokeWhenOffCall`) extended stands on the
 * person's approval until the end of the window they approved, and on the check only after
 * it. Null: from the start (the check made the first decision), or never re-verified.
 * Epoch milliseconds, like the other times.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.bigInteger('reverify_after').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('access_requests', table => {
    table.dropColumn('reverify_after');
  });
};
