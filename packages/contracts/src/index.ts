export * from "./traffic.ts";
