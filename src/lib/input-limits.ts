// Bounds on what a caller may send (performance), in one place: the edge checks them before anything is
// parsed further, reserved or relayed, so no single request can hold an isolate, a limit or a
// shared upstream key hostage. docs/limits.md ("Input limits") lists the same numbers.
import { z } from 'zod';

/** Request bodies (413 beyond). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Nesting of arrays and objects in a JSON body (400 beyond): real requests stay under ~20. */
export const MAX_JSON_DEPTH = 64;
/** One string value in a JSON body (400 beyond): room for a base64 image of 15 MB. */
export const MAX_STRING_CHARS = 20 * 1024 * 1024;
/** Elements of one array, or keys of one object, in a JSON body (400 beyond). */
export const MAX_ITEMS = 100_000;
/** A model name, wherever it is given (body or path). */
export const MAX_MODEL_CHARS = 256;
/** Output tokens a request may ask for (max_tokens and friends): above every model's limit. */
export const MAX_OUTPUT_TOKENS = 2 ** 20;
/** Completions per request (OpenAI `n`; Gemini `candidateCount` allows fewer). */
export const MAX_CHOICES = 128;
export const MAX_GEMINI_CANDIDATES = 8;

/** An output-token bound in a request schema: a positive integer up to MAX_OUTPUT_TOKENS. */
export const outputTokens = () =>
  z.number().int().positive().max(MAX_OUTPUT_TOKENS, `must be at most ${MAX_OUTPUT_TOKENS}`).nullish();
