// An upstream key whose credential cannot be produced (an OAuth refresh that failed). The proxy
// treats it like the provider refusing the key: the key sleeps, the next one is tried.
export class CredentialError extends Error {}
