// One simulator per scenario (see playwright.config.js); ports chosen away from WHM's own 2086/2087.
const SCENARIOS = { demo: 28101, "guide-empty": 28102, large: 28103, hostile: 28104, "demo-slow": 28105 };
// "demo-slow" is the demo scenario at real-time worker speed, to watch a session while it runs.
const SIM_SCENARIO = { "demo-slow": "demo" };
const SPEED = { "demo-slow": 1 };
const TOKEN = "/cpsess0123456789";
const SESSIONS = {
  demo: "exampleservercopya20140206192428NtyW",
  "guide-empty": "exampleservercopya20140206192428NtyW",
  large: "largeservercopya20260101000000AAAAAA",
  hostile: "hostileservercopya20260101000000BBBB",
};
module.exports = { SCENARIOS, SIM_SCENARIO, SPEED, TOKEN, SESSIONS };
