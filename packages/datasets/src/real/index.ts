// Public API of the real module (filled in by its owner).
export {};
