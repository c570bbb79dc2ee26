/**
 * The public API of mmcheck, for models written outside this repository:
 * `import { … } from 'mmcheck'`. A model is a `ModelDef` (see
 * `model/contract.ts`); the kernel primitives, the engines and the report
 * writers are the same ones the built-in models use.
 */
export type { ActionBase, AnyMachine, AnyModel, Expectation, FamilyMember, Json, Machine, ModelDef, Property, StepInfo, Transition, VariantDef } from './model/contract.js';
export { actionLabel, erase, variantOf } from './model/contract.js';
export type { DefinedModel, MachineBuild, ModelSpec, VariantSpec } from './model/define.js';
export { defineModel, verdictPropertyNames } from './model/define.js';
export { configParser, schemaError } from './model/config-schema.js';
/** zod, for configuration schemas (`defineModel({ configSchema })`), so a model needs no dependency of its own. */
export { z } from 'zod';
export type { Rule, RuleAction, RuleArgs, RulesMachineDef } from './model/rules.js';
export { callText, machineFromRules, rulesFor, when } from './model/rules.js';
export type { Fault, KernelState, LockState, MutexState, RwsemState, SpinState } from './model/kernel/state.js';
export { heldBy, holdersOf, kernelState, waitingOn } from './model/kernel/state.js';
export type { Acquire } from './model/kernel/locks.js';
export { canProceed, downRead, downWrite, mightSleep, mutexLock, mutexTrylock, mutexUnlock, spinLock, spinUnlock, upRead, upWrite } from './model/kernel/locks.js';
export { BUILTIN, builtinViolations, lockCycle } from './model/kernel/checks.js';
export * as notifier from './model/kernel/notifier.js';
export * as workqueue from './model/kernel/workqueue.js';
export * as hotplug from './model/kernel/hotplug.js';
export * as allocator from './model/kernel/allocator.js';
export * as atomic from './model/kernel/atomic.js';
export type { Trace, TraceStep, Violation } from './properties/check.js';
export { replayLabels, runTrace } from './properties/check.js';
export type { CheckOptions, RecordedStep, ReplayOptions } from './properties/core.js';
export { MODEL_THREW, NondeterministicModel, replay, ReplayDivergence } from './properties/core.js';
export type { Engine, Finding, Outcome, Provenance } from './properties/outcome.js';
export { exploreOutcome, livenessOutcome, randomOutcome } from './properties/outcome.js';
export type { HygieneOptions, HygieneProblem } from './properties/hygiene.js';
export { checkModel as checkModelHygiene, hygieneMessage } from './properties/hygiene.js';
export { original, produce } from './model/kernel/immer.js';
/** The race check (spec 06 §5): footprints, the lockset log, and what a model keeps out of its footprints. */
export type { Footprint } from './model/kernel/footprint.js';
export { marked, unrecorded } from './model/kernel/footprint.js';
export type { AccessOrigin, Race, RaceSteps } from './properties/races.js';
export { RaceLog, raceReport } from './properties/races.js';
export type { ExploreBound, ExploreOptions, ExploreProgress, ExploreResult } from './properties/explore.js';
export { explore, verdict } from './properties/explore.js';
export type { RandomOptions, RandomResult } from './properties/random.js';
// the facade's randomCheck and checkVariant minimize their counterexamples, as they always did
export { randomSearch as randomCheck } from './shrinkers/search.js';
export type { VariantCheck, VariantCheckOptions } from './properties/suite.js';
export { seeds } from './properties/suite.js';
export { variantSearch as checkVariant, withMinimizer } from './shrinkers/search.js';
export { minimizeTrace } from './shrinkers/minimize.js';
export { renderTrace } from './reports/text.js';
