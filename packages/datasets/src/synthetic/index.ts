// Public API of the synthetic module (filled in by its owner).
export {};
