// Public API of the augment module (filled in by its owner).
export {};
