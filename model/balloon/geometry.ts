/**
 * Page, pageblock and block arithmetic of a balloon configuration, and the
 * two questions about pageblocks that the steps, the properties and the
 * symmetry reduction all ask. A module of its own: each of them imports it,
 * none of them imports another for it.
 */
import type { BalloonConfig, BalloonState } from './state.js';

/** Page/pageblock/block arithmetic of a configuration. */
export interface Geometry {
  readonly pages: number;
  readonly pageblocks: number;
  readonly pagesPerBlock: number;
  pbOf(p: number): number;
  blockOfPb(pb: number): number;
  blockOf(p: number): number;
  pagesOfPb(pb: number): number[];
  pagesOfBlock(b: number): number[];
}

/** The geometry of `c`. */
export function geometry(c: BalloonConfig): Geometry {
  const pageblocks = c.blocks * c.pageblocksPerBlock;
  const pages = pageblocks * c.pagesPerPageblock;
  const pagesPerBlock = c.pageblocksPerBlock * c.pagesPerPageblock;
  const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
  const ofPb = Array.from({ length: pageblocks }, (_, pb) => range(pb * c.pagesPerPageblock, c.pagesPerPageblock));
  const ofBlock = Array.from({ length: c.blocks }, (_, b) => range(b * pagesPerBlock, pagesPerBlock));
  return {
    pages,
    pageblocks,
    pagesPerBlock,
    pbOf: (p) => Math.floor(p / c.pagesPerPageblock),
    blockOfPb: (pb) => Math.floor(pb / c.pageblocksPerBlock),
    blockOf: (p) => Math.floor(p / pagesPerBlock),
    pagesOfPb: (pb) => ofPb[pb] ?? [],
    pagesOfBlock: (b) => ofBlock[b] ?? [],
  };
}

/** The parts of a state (or of its immer draft) the pageblock questions read. */
type PbView = Pick<BalloonState, 'H' | 'blocks' | 'pages'>;

/** Whether pageblock `pb` is isolated by the offline in flight. */
export function isolatedPb(s: PbView, g: Geometry, pb: number, c: BalloonConfig): boolean {
  const op = s.H.op;
  if (!op || op.op !== 'offline') return false;
  const b = g.blockOfPb(pb);
  return op.block === b && op.isolated[pb - b * c.pageblocksPerBlock] === true;
}

/** Pageblocks an allocation may take a page from now. */
export function allocatablePbs(s: PbView, g: Geometry, c: BalloonConfig, exceptBlock = -1): number[] {
  const out: number[] = [];
  for (let pb = 0; pb < g.pageblocks; pb++) {
    const b = g.blockOfPb(pb);
    if (b === exceptBlock || !s.blocks[b]?.present || isolatedPb(s, g, pb, c)) continue;
    if (g.pagesOfPb(pb).some((p) => s.pages[p] === 'free')) out.push(pb);
  }
  return out;
}
