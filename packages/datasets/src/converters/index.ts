// Public API of the converters module (filled in by its owner).
export {};
