// Public API of the tokenizer module (filled in by its owner).
export {};
