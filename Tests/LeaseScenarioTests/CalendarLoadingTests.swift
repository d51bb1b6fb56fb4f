import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// The license calendar: hardware servers and their licenses, evaluation and ICE licenses, license actions.
let calendarServer = """
{"id": "ls", "hardware": true, "serverLicenses": [{"sku": "LS-1YR", "type": "subscription", "years": 1, "start": "1969-07-01"}, {"sku": "LS-2YR", "type": "subscription", "years": 2}], "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 200}, {"sku": "ICE", "feature": "users", "type": "ice", "count": 500, "period": "1w"}, {"sku": "EVAL", "feature": "users", "type": "evaluation", "count": 50}]}
"""
let validCalendar = variant("{\"id\": \"ls\", \"licenses\": [{\"sku\": \"P\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 200}]}", calendarServer)
    .replacingOccurrences(of: "\"duration\": \"2d\",", with: """
    "duration": "2d", "actions": [
      {"at": "1h", "action": "activateICE", "server": "ls", "sku": "ICE"},
      {"at": "3h", "action": "deactivateICE", "server": "ls", "sku": "ICE"},
      {"at": "5h", "action": "installLicense", "server": "ls", "license": {"sku": "S", "feature": "users", "type": "perpetual", "count": 10}},
      {"at": "7h", "action": "removeLicense", "server": "ls", "sku": "S"}],
    """)

@Test func aLicenseCalendarLoadsIntoTheServersLicenses() throws {
    let scenario = try ScenarioLoader.load(bytes: Array(validCalendar.utf8), file: "ok.json")
    let server = scenario.spec.servers[0]
    // R-LIC-7: 1 + 2 years from 1969-07-01: until 1972-07-01.
    let end = SimInstant.start + .days(CivilCalendar.days(year: 1972, month: 7, day: 1))
    #expect(server.serves == [SimInstant.start..<end])
    #expect(server.licenses.map(\.sku) == ["P", "ICE", "EVAL", "S"])
    #expect(server.licenses[1].period == .weeks(1) && server.licenses[2].period == .weeks(8))
    #expect(server.licenses[1].activations == [(SimInstant.start + .hours(1))..<(SimInstant.start + .hours(3))])
    #expect(server.licenses[3].installedAt == .start + .hours(5) && server.licenses[3].removedAt == .start + .hours(7))
    #expect(scenario.spec.actions.isEmpty)               // all four became part of the calendar
    // A server that is not hardware serves always; a hardware one without a license-server license never.
    #expect(try ScenarioLoader.load(bytes: Array(validScenario.utf8), file: "ok.json").spec.servers[0].serves == [SimInstant.start..<SimInstant.never])
    let bare = validCalendar.replacingOccurrences(of: "\"hardware\": true, \"serverLicenses\": [{\"sku\": \"LS-1YR\", \"type\": \"subscription\", \"years\": 1, \"start\": \"1969-07-01\"}, {\"sku\": \"LS-2YR\", \"type\": \"subscription\", \"years\": 2}], ", with: "\"hardware\": true, ")
    #expect(try ScenarioLoader.load(bytes: Array(bare.utf8), file: "ok.json").spec.servers[0].serves.isEmpty)
}

/// R-LIC-7: the 3-year limit is on the stack at any one time: four yearly license-server subscriptions added a year
/// apart cover the server for four years; one added after the coverage ended starts a new span after a gap.
@Test func rLic7YearlySubscriptionsInSequenceAreValid() throws {
    let yearly = (0..<4).map { "{\"sku\": \"LS-1YR-\($0)\", \"type\": \"subscription\", \"years\": 1, \"start\": \"\(1969 + $0)-07-01\"}" }
    let gap = "{\"sku\": \"LS-1YR-G\", \"type\": \"subscription\", \"years\": 1, \"start\": \"1974-01-01\"}"
    let text = calendarVariant("{\"sku\": \"LS-1YR\", \"type\": \"subscription\", \"years\": 1, \"start\": \"1969-07-01\"}, {\"sku\": \"LS-2YR\", \"type\": \"subscription\", \"years\": 2}",
                               (yearly + [gap]).joined(separator: ", "))
    let serves = try ScenarioLoader.load(bytes: Array(text.utf8), file: "ok.json").spec.servers[0].serves
    let day = { (y: Int64, m: Int64, d: Int64) in SimInstant.start + .days(CivilCalendar.days(year: y, month: m, day: d)) }
    #expect(serves == [SimInstant.start..<day(1973, 7, 1), day(1974, 1, 1)..<day(1975, 1, 1)])
}

func calendarVariant(_ from: String, _ to: String) -> String {
    precondition(validCalendar.contains(from), "variant source not found: \(from)")
    return validCalendar.replacingOccurrences(of: from, with: to)
}

@Test(arguments: [
    ("subscriptions past 3 years", calendarVariant("\"years\": 2}", "\"years\": 2}, {\"sku\": \"LS-X\", \"type\": \"subscription\", \"years\": 1}"),
     "bad.json:8:247: servers[0].serverLicenses[2].years: expected license-server subscriptions stacking up to at most 3 years at any one time (R-LIC-7), found 1, bringing the stack on 1969-07-01 to the end of 1973-06-30"),
    ("a later subscription starting before the one before", calendarVariant("\"years\": 2}", "\"years\": 2, \"start\": \"1969-01-01\"}"),
     "bad.json:8:206: servers[0].serverLicenses[1].start: expected a start date on or after the one before (1969-07-01), found \"1969-01-01\""),
    ("a subscription added early that stacks past 3 years", calendarVariant("\"years\": 2}", "\"years\": 2}, {\"sku\": \"LS-X\", \"type\": \"subscription\", \"years\": 1, \"start\": \"1970-06-30\"}"),
     "bad.json:8:247: servers[0].serverLicenses[2].years: expected license-server subscriptions stacking up to at most 3 years at any one time (R-LIC-7), found 1, bringing the stack on 1970-06-30 to the end of 1973-06-30"),
    ("a first subscription without a start", calendarVariant("\"years\": 1, \"start\": \"1969-07-01\"}", "\"years\": 1}"),
     "bad.json:8:65: servers[0].serverLicenses[0].start: expected a start date \"YYYY-MM-DD\" on the first license-server subscription, found nothing (missing key)"),
    ("server licenses on a virtual server", calendarVariant("\"hardware\": true, ", ""),
     "bad.json:8:46: servers[0].serverLicenses: expected no license-server licenses on a server that is not \"hardware\": true or \"vls\": true (R-LIC-8), found an array"),
    ("a period on a perpetual license", calendarVariant("\"type\": \"perpetual\", \"count\": 200}", "\"type\": \"perpetual\", \"count\": 200, \"period\": \"1w\"}"),
     "bad.json:8:290: servers[0].licenses[0].period: expected no period on a perpetual license (only evaluation and ice), found \"1w\""),
    ("an end date on an evaluation", calendarVariant("\"type\": \"evaluation\", \"count\": 50}", "\"type\": \"evaluation\", \"count\": 50, \"end\": \"1970-02-01\"}"),
     "bad.json:8:440: servers[0].licenses[2].end: expected no end date on an evaluation license, found \"1970-02-01\""),
    ("an ICE license switched on twice", calendarVariant("\"at\": \"3h\", \"action\": \"deactivateICE\"", "\"at\": \"3h\", \"action\": \"activateICE\""),
     "bad.json:5:26: actions[1].action: expected \"deactivateICE\" for ICE, which is on since t+1h, found \"activateICE\""),
    ("an ICE license switched off while off", calendarVariant("\"at\": \"1h\", \"action\": \"activateICE\"", "\"at\": \"1h\", \"action\": \"deactivateICE\""),
     "bad.json:4:26: actions[0].action: expected \"activateICE\" first: ICE is not on, found \"deactivateICE\""),
    ("ICE actions on a license that is not ICE", calendarVariant("\"at\": \"1h\", \"action\": \"activateICE\", \"server\": \"ls\", \"sku\": \"ICE\"", "\"at\": \"1h\", \"action\": \"activateICE\", \"server\": \"ls\", \"sku\": \"P\""),
     "bad.json:4:64: actions[0].sku: expected the SKU of an ICE license (type \"ice\") on that server (R-LIC-5), found \"P\""),
    ("removing a license not yet installed", calendarVariant("\"at\": \"7h\", \"action\": \"removeLicense\"", "\"at\": \"4h\", \"action\": \"removeLicense\""),
     "bad.json:7:66: actions[3].sku: expected the SKU of a license installed on \"ls\" at t+4h and not removed, found \"S\""),
    ("an installLicense with its own installedAt", calendarVariant("\"type\": \"perpetual\", \"count\": 10}", "\"type\": \"perpetual\", \"count\": 10, \"installedAt\": \"6h\"}"),
     "bad.json:6:153: actions[2].license.installedAt: expected no installedAt in an installLicense action (it is installed at the action's \"at\"), found \"6h\""),
    ("a license action on an unknown server", calendarVariant("\"action\": \"removeLicense\", \"server\": \"ls\"", "\"action\": \"removeLicense\", \"server\": \"lx\""),
     "bad.json:7:53: actions[3].server: expected the id of a server, found \"lx\""),
    ("a client key on a license action", calendarVariant("\"action\": \"removeLicense\", \"server\": \"ls\"", "\"action\": \"removeLicense\", \"client\": \"a\", \"server\": \"ls\""),
     "bad.json:7:43: actions[3].client: expected only at, action, server, sku in a \"removeLicense\" action, found \"client\""),
])
func licenseCalendarInputIsRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}

/// R-CLIENT-1: a client's own licenses and its platform's maximum.
@Test func aClientsOwnLicensesPlatformAndMaximumLoad() throws {
    let text = variant("{\"id\": \"a\", \"server\": \"ls\",", """
        {"id": "a", "server": "ls", "maxUsers": 1000, "licenses": [
          {"sku": "ADD-100U", "feature": "users", "type": "perpetual", "count": 100}],
        """)
    let client = try ScenarioLoader.load(bytes: Array(text.utf8), file: "ok.json").spec.clients[0]
    #expect(client.maxUsers == 1000)
    #expect(client.licenses.map(\.sku) == ["ADD-100U"] && client.licenses[0].count == 100)
}

@Test(arguments: [
    ("an own license of a feature not allocated", variant("{\"id\": \"a\", \"server\": \"ls\",", "{\"id\": \"a\", \"server\": \"ls\", \"licenses\": [{\"sku\": \"R\", \"feature\": \"rdp\", \"type\": \"perpetual\", \"count\": 5}],"),
     "bad.json:6:70: clients[0].licenses[0].feature: expected a feature allocated to this client (its own licenses serve its allocated features), found \"rdp\""),
    ("a platform maximum of zero", variant("{\"id\": \"a\", \"server\": \"ls\",", "{\"id\": \"a\", \"server\": \"ls\", \"maxUsers\": 0,"),
     "bad.json:6:45: clients[0].maxUsers: expected a count in 1...10000000, found 0"),
])
func clientLicenseInputIsRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}

/// R-LIC-3: "dates follow the server's local time zone (UTC by default in a scenario)": a server's `timeZone` (an IANA
/// name, resolved when the scenario loads, daylight saving included) places its licenses' dates and its clients'
/// allocation expiry dates. In Europe/Berlin a subscription from 2026-04-01 to 2026-10-31 counts from 2026-03-31
/// 22:00 UTC (summer time) to 2026-10-31 23:00 UTC (winter time again); a client's own license follows the client's
/// zone (America/New_York). In America/Santiago, 2026-09-06 begins with a skip (00:00 is 01:00): 00:00 of that day is
/// the transition itself, 04:00 UTC.
@Test func rLic3DatesFollowTheServersTimeZone() throws {
    let text = """
    {"format": "leasesim/1", "start": "2026-03-01T00:00Z", "duration": "2d",
     "servers": [{"id": "ls", "timeZone": "Europe/Berlin", "licenses": [
                   {"sku": "S", "feature": "users", "type": "subscription", "count": 100, "start": "2026-04-01", "end": "2026-10-31"}]},
                 {"id": "ls-cl", "timeZone": "America/Santiago", "licenses": [
                   {"sku": "T", "feature": "users", "type": "subscription", "count": 100, "start": "2026-09-06", "end": "2026-12-31"}]}],
     "clients": [{"id": "gw", "server": "ls", "expiry": "2026-06-30", "timeZone": "America/New_York",
                  "licenses": [{"sku": "OWN", "feature": "users", "type": "subscription", "count": 10, "start": "2026-05-01", "end": "2026-05-31"}],
                  "allocations": {"users": {"ruc": 0, "ilq": 25, "muc": 50}}}]}
    """
    let spec = try ScenarioLoader.load(bytes: Array(text.utf8), file: "ok.json").spec
    let utc = { (text: String) in SimInstant(millisecondsSinceStart: TimeSyntax.dateTime(text)! - TimeSyntax.dateTime("2026-03-01T00:00Z")!) }
    #expect(spec.servers[0].licenses[0].startsAt == utc("2026-03-31T22:00Z") && spec.servers[0].licenses[0].endsAt == utc("2026-10-31T23:00Z"))
    #expect(spec.clients[0].allocationExpiry == utc("2026-06-30T22:00Z"))             // 24:00 of 06-30 in Berlin (summer)
    #expect(spec.clients[0].licenses[0].startsAt == utc("2026-05-01T04:00Z") && spec.clients[0].licenses[0].endsAt == utc("2026-06-01T04:00Z"))
    #expect(spec.servers[1].licenses[0].startsAt == utc("2026-09-06T04:00Z"))
    #expect(loadError(text.replacingOccurrences(of: "Europe/Berlin", with: "Europe/Atlantis"))
            == "bad.json:2:39: servers[0].timeZone: expected an IANA time zone name such as \"Europe/Berlin\" or \"UTC\" (R-LIC-3), found \"Europe/Atlantis\"")
}
