/** @clip-vg/fusion-transformer: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/fusion-transformer';
