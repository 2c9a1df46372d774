// The tokenizer's BPE tables, imported as Text modules (wrangler.toml's rules).
declare module '*.tiktoken' {
  const text: string;
  export default text;
}
