/** @clip-vg/curriculum: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/curriculum';
