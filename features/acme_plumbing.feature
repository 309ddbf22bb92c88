Feature: Acme Plumbing & Heating — calls forwarded to the answering service
  Acme (Chicago) forwards calls when busy, unanswered, by hand, and after hours.
  The worst mistake would be telling a caller "we are closed" while the office is open.

  Background:
    Given the client "acme_plumbing"

  Scenario: A busy line during opening hours never sounds closed
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "busy"
    And the agent says "The team is with another customer"
    And the script is "intake"
    And the windows include "open"

  Scenario: Nobody answered during opening hours
    Given it is Friday 2026-11-27 at 16:59
    And the call was forwarded because nobody answered
    Then the agent greets with "busy"

  Scenario: Saturday night, busy line, burst pipe: the plumber on call is called first
    Given it is Saturday 2026-11-28 at 23:15
    And the call was forwarded because the line was busy
    When the caller reports "burst_pipe"
    Then the agent greets with "after_hours"
    And the agent says "Our office is closed"
    And the windows include "night"
    And the urgency is "emergency"
    And the call is escalated by "emergency" starting with "Bob Ortiz" by call
    And if nobody acknowledges, a message is taken with priority "high" and sent by email to "office"
    And "Bob Ortiz" is on call for "plumbers"

  Scenario: Sunday afternoon the weekend layer has handed over to Carol
    Given it is Sunday 2026-11-29 at 13:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "There is a flood in the basement"
    Then the urgency is "emergency"
    And the call is escalated by "emergency" starting with "Carol Diaz" by call
    And "Carol Diaz" is on call for "plumbers"

  Scenario: An emergency while the office is open goes to the front desk first
    Given it is Monday 2026-12-07 at 10:00
    And the call was forwarded because the line was busy
    When the caller reports "gas_smell"
    Then the urgency is "emergency"
    And the call is patched to "Front desk"
    And if that fails, the call is escalated by "emergency" starting with "Alice Ng" by call

  Scenario: Before the caller says what is wrong, there is no route yet
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the urgency is not decided yet
    And no route is chosen yet
    And the agent must still ask for "type"

  Scenario: No heat is urgent, but is taken as a message during the day
    Given it is Wednesday 2026-11-25 at 09:30
    And the call was forwarded because nobody answered
    When the caller reports "no_heat"
    Then the urgency is "urgent"
    And a message is taken and sent by email to "office"

  Scenario: A VIP caller is urgent whatever the problem
    Given it is Wednesday 2026-11-25 at 09:30
    And the call was forwarded because nobody answered
    And the caller is "+17735550199"
    When the caller reports "estimate"
    Then the urgency is "urgent"

  Scenario: The owner dialled *72 and left a status
    Given it is Tuesday 2026-11-24 at 10:00
    And the owner's status is "Back at 2pm, on a job site" until 14:00
    And the call was forwarded because the owner forwarded it by hand
    When the caller reports "estimate"
    Then the agent greets with "away"
    And the agent says "Back at 2pm, on a job site"
    And the urgency is "routine"
    And a message is taken and sent by sms to "Alice Ng"

  Scenario: After the status expires the ordinary greeting is back
    Given it is Tuesday 2026-11-24 at 15:00
    And the owner's status is "Back at 2pm, on a job site" until 14:00
    And the call was forwarded because the owner forwarded it by hand
    Then the agent greets with "default"

  Scenario: Lunch calls get the short script and a message to the office
    Given it is Tuesday 2026-11-24 at 12:30
    And the call was forwarded because all calls are forwarded
    When the caller answers "name" with "Dana"
    Then the script is "lunch"
    And the windows include "lunch"
    And the urgency is "routine"
    And a message is taken and sent by email to "office"

  Scenario: Calls to the second line at lunch still get the full intake
    Given it is Tuesday 2026-11-24 at 12:30
    And the caller dialled "+13125550101"
    And the call was forwarded because all calls are forwarded
    Then the script is "intake"

  Scenario: Billing questions go to the office by email
    Given it is Thursday 2026-12-03 at 11:00
    And the call was forwarded because all calls are forwarded
    When the caller reports "billing"
    Then the agent greets with "default"
    And a message is taken and sent by email to "office"

  Scenario: Thanksgiving is a public holiday in Illinois
    Given it is Thursday 2026-11-26 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "after_hours"
    And the windows include "holiday"

  Scenario: On a holiday a busy line hears that the office is closed, not that the team is busy
    Given it is Thursday 2026-11-26 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"

  Scenario: Christmas closure from noon on the 24th: the override puts Carol on call
    Given it is Thursday 2026-12-24 at 15:00
    And the call was forwarded because all calls are forwarded
    When the caller reports "burst_pipe"
    Then the agent greets with "after_hours"
    And the windows include "closed"
    And the call is escalated by "emergency" starting with "Carol Diaz" by call

  Scenario: A Spanish-speaking caller hears the Spanish greeting
    Given it is Tuesday 2026-11-24 at 10:00
    And the caller speaks Spanish
    And the call was forwarded because the line was busy
    Then the agent greets in Spanish
    And the agent says "El equipo está ocupado"

  Scenario: After hours a Spanish caller hears the closed greeting in Spanish
    Given it is Saturday 2026-11-28 at 23:15
    And the caller speaks Spanish
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"
    And the agent greets in Spanish
    And the agent says "Nuestra oficina está cerrada"

  Scenario Outline: A week of busy-line calls: open hours sound open, closed hours sound closed
    Given it is <day> at <time>
    And the call was forwarded because the line was busy
    Then the agent greets with "<greeting>"

    Examples:
      | day                  | time  | greeting    |
      | Monday 2026-11-30    | 07:59 | after_hours |
      | Monday 2026-11-30    | 08:00 | busy        |
      | Tuesday 2026-12-01   | 12:15 | busy        |
      | Wednesday 2026-12-02 | 16:59 | busy        |
      | Wednesday 2026-12-02 | 17:00 | after_hours |
      | Friday 2026-12-04    | 22:30 | after_hours |
      | Saturday 2026-12-05  | 09:00 | busy        |
      | Saturday 2026-12-05  | 12:00 | after_hours |
      | Sunday 2026-12-06    | 11:00 | after_hours |
