// Public API of the weights module (filled in by its owner).
export {};
