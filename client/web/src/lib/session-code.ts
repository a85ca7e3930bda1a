/** A 9-digit session code in groups of three, the way it is read aloud: "123 456 789". */
export function groupCode(code: string): string {
  return code.replace(/\B(?=(\d{3})+$)/g, " ");
}
