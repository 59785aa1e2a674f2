import type { Command } from 'commander';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the curriculum experiment on the synthetic grounding world (coming soon)')
    .action(() => {
      process.stdout.write('clip-vg demo: coming soon (lands with the curriculum issue)\n');
    });
}
