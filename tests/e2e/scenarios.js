// One simulator per scenario (see playwright.config.js); ports chosen away from WHM's own 2086/2087.
const SCENARIOS = { demo: 28101, "guide-empty": 28102, large: 28103, hostile: 28104, "demo-slow": 28105, faults: 28106 };
// "demo-slow" is the demo scenario at real-time worker speed, to watch a session while it runs.
// "faults" is the demo scenario for faults.spec.js and double.spec.js alone (their faults and calls
// never meet another spec's), at a speed where a four-item session runs for several seconds.
const SIM_SCENARIO = { "demo-slow": "demo", faults: "demo" };
const SPEED = { "demo-slow": 1, faults: 2 };
const TOKEN = "/cpsess0123456789";
const SESSIONS = {
  demo: "exampleservercopya20140206192428NtyW",
  "guide-empty": "exampleservercopya20140206192428NtyW",
  large: "largeservercopya20260101000000AAAAAA",
  hostile: "hostileservercopya20260101000000BBBB",
  faults: "exampleservercopya20140206192428NtyW",
};
module.exports = { SCENARIOS, SIM_SCENARIO, SPEED, TOKEN, SESSIONS };
