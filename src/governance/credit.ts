// Telling a prepaid wallet's governor that its ledger changed (credits and plans): after a top-up,
// allocation,
// card, redemption or purchase (so the account gets through again at once, not at the next cron
// pass), and after the consumer charged usage (reconciling what the governor settled with what the
// ledger charged). A governor that is not a prepaid wallet answers without reading D1.
export async function creditChanged(env: Env, accountIds: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(accountIds)].map((id) =>
      env.ACCOUNT_GOVERNOR.get(env.ACCOUNT_GOVERNOR.idFromName(id))
        .refreshCredit()
        .catch((err: unknown) => {
          // The cron pass refreshes every wallet again within five minutes.
          console.error(JSON.stringify({ msg: 'credit refresh failed', account: id, error: String(err) }));
        }),
    ),
  );
}
