/** @clip-vg/datasets: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/datasets';
