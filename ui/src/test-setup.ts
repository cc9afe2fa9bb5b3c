import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// CI shares two cores with cargo: give findBy*/waitFor room before calling a slow render a failure.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
