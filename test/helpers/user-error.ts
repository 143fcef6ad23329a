import { UserError } from "../../src/shared/errors.js";

/** The UserError a promise rejects with; anything else (a pass, another error) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}
