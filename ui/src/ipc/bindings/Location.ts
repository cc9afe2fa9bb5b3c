// Hand-written from the berth-api contract until the ts-rs generated file replaces it.
export type Location = "laptop" | "cloud" | "private";
