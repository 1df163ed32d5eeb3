// "Show Build Log": a Cloud Build build's log in its own output channel, followed while the build runs.
// From the status bar (the build of HEAD), a Builds row, a notice, or the palette (a quick pick).
import * as vscode from 'vscode';
import { MENTOR_BUILD_TAG } from '../core/builds';
import { buildRow } from '../core/buildText';
import { UserCancelledError, UserFacingError } from '../core/errors';
import type { BuildNode } from '../tree/buildNodes';
import { MentorCommand } from './context';

export const showBuildLog: MentorCommand<[(string | BuildNode)?]> = {
  id: 'mentor.showBuildLog',
  async run(ctx, arg) {
    const session = await ctx.builds.enable('Show Build Log was run');
    let id = typeof arg === 'string' ? arg : arg?.kind === 'build' ? arg.build.id : undefined;
    if (!id) {
      const { builds } = await (await session.builds()).listBuilds(`tags="${MENTOR_BUILD_TAG}"`, { pageSize: 20 });
      if (!builds.length) {
        throw new UserFacingError(`No Cloud Build builds tagged "${MENTOR_BUILD_TAG}" in ${ctx.connection.target.project} / ` +
          `${ctx.connection.target.region} yet. Set up continuous deployment, then push a commit.`, 'notFound');
      }
      const picked = await vscode.window.showQuickPick(builds.map((build) => {
        const row = buildRow(build);
        return { label: row.label, description: `${build.service ?? ''} · ${row.description}`, detail: build.id, build };
      }), { placeHolder: 'Show the log of which build?' });
      if (!picked) throw new UserCancelledError();
      id = picked.build.id;
    }
    const build = await session.findBuild(id);
    // Not awaited: the log follows the build for as long as it runs; the channel reports its own errors.
    void session.showLog(build).catch(() => undefined);
    return build.id;
  },
};
