/** Adds V8 flags to a binary Cap'n Proto workerd config (see workerd-v8-flags.mjs). */
export function withV8Flags(message: Uint8Array, flags: string[]): Uint8Array;
export function flagsFromEnv(env?: NodeJS.ProcessEnv): string[];
