/// "1 image", "2 images": a count with its noun in the right number, for messages people read.
func counted(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}

/// Names for a message, sorted, at most `limit` of them: "a, b, c and 4 more".
func nameList(_ names: some Sequence<String>, limit: Int = 10) -> String {
    let sorted = names.sorted()
    guard sorted.count > limit else { return sorted.joined(separator: ", ") }
    return sorted.prefix(limit).joined(separator: ", ") + " and \(sorted.count - limit) more"
}
