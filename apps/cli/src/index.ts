/** @clip-vg/cli: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/cli';
