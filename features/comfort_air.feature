Feature: Comfort Air Heating & Cooling — heating, cooling and property maintenance in Las Vegas
  Comfort Air forwards calls on a schedule and when its dispatchers are busy or do not
  answer; its second number is a 24-hour emergency line. A gas smell always starts with the
  agent telling the caller to leave the house, then the technician on call is escalated.
  No cooling when it is over 104 °F outside is an emergency: the agent asks for the outside
  temperature only when the cooling has failed. No heat is an emergency in winter (15 November
  to 15 March, both days included), urgent the rest of the year. The office works Juneteenth
  and Veterans Day, two of Nevada's public holidays. Many customers call in Spanish.

  The technicians on call: Marco, Dana and Luis take a week each, handing over on Monday at
  07:00 (the week of Monday 2026-07-13 is Marco's). Weekends are shared by Ana and Luis,
  handing over on Saturday at 07:00 (Ana from Saturday 2026-07-18).

  Background:
    Given the client "comfort_air"

  # ---- what the agent says ----------------------------------------------------------------

  Scenario: The emergency line is answered as such, even while the office is open
    Given it is Wednesday 2026-07-15 at 10:00
    And the caller dialled "+17025550199"
    When the call arrives
    Then the agent greets with "emergency_line"
    And the agent says "Comfort Air emergency line"
    And the urgency is not decided yet
    And the agent must still ask for "problem"

  Scenario: After hours the greeting says the office is closed
    Given it is Wednesday 2026-07-15 at 19:30
    And the call was forwarded because of the schedule
    When the call arrives
    Then the agent greets with "after_hours"
    And the agent says "Our office is closed"
    And the windows do not include "open"

  Scenario: Dispatchers busy during opening hours
    Given it is Wednesday 2026-07-15 at 10:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "busy"
    And the script is "service"
    And the windows include "open"

  Scenario: A Spanish-speaking caller on a scheduled forward while open
    Given it is Thursday 2026-07-16 at 09:00
    And the call was forwarded because of the schedule
    And the caller speaks Spanish
    When the call arrives
    Then the agent greets with "default"
    And the agent greets in Spanish
    And the agent says "Gracias por llamar a Comfort Air"

  Scenario: Independence Day (observed on Friday 2026-07-03) sounds closed
    Given it is Friday 2026-07-03 at 10:00
    And the call was forwarded because of the schedule
    Then the agent greets with "after_hours"
    And the windows include "holiday"

  Scenario Outline: Juneteenth and Veterans Day are worked; Nevada Day is not
    Given it is <day> at 10:00
    And the call was forwarded because of the schedule
    Then the agent greets with "<greeting>"

    Examples:
      | day                  | greeting    |
      | Friday 2026-06-19    | default     |
      | Wednesday 2026-11-11 | default     |
      | Friday 2026-10-30    | after_hours |

  Scenario: The year-end inventory closes the office on New Year's Eve afternoon
    Given it is Thursday 2026-12-31 at 14:00
    And the call was forwarded because of the schedule
    Then the agent greets with "after_hours"
    And the windows include "closed"

  Scenario Outline: A week of scheduled forwards: open hours sound open, the rest closed
    Given it is <day> at <time>
    And the call was forwarded because of the schedule
    Then the agent greets with "<greeting>"

    Examples:
      | day                  | time  | greeting    |
      | Monday 2026-07-13    | 06:59 | after_hours |
      | Monday 2026-07-13    | 07:00 | default     |
      | Friday 2026-07-17    | 16:59 | default     |
      | Friday 2026-07-17    | 17:00 | after_hours |
      | Saturday 2026-07-18  | 08:00 | default     |
      | Saturday 2026-07-18  | 12:00 | after_hours |
      | Sunday 2026-07-19    | 10:00 | after_hours |

  # ---- gas, heat and cold -------------------------------------------------------------------

  Scenario: A gas smell at night: leave the house first, then the technician on call
    Given it is Wednesday 2026-07-15 at 22:00
    And the call was forwarded because of the schedule
    When the caller answers "problem" with "gas_smell"
    Then the urgency is "emergency"
    And the agent first tells the caller "Please leave the house now"
    And the call is escalated by "emergency" starting with "Marco Reyes" by call
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by sms to "Dana Kim"

  Scenario: A gas smell told in Spanish
    Given it is Saturday 2026-07-18 at 10:00
    And the call was forwarded because the line was busy
    And the caller speaks Spanish
    When the caller answers "problem" with "gas_smell"
    Then the agent first tells the caller "salga de la casa ahora"
    And the call is escalated by "emergency" starting with "Ana Flores" by call

  Scenario: No cooling on a 109 °F afternoon is an emergency, with advice on staying cool
    Given it is Wednesday 2026-07-15 at 14:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "no_cooling"
    And the caller says the outside temperature is 109
    Then the urgency is "emergency"
    And the script says "keep everyone in the coolest room"
    And the call is patched to "Dispatch desk"
    And if that fails, the call is escalated by "emergency" starting with "Marco Reyes" by call

  Scenario Outline: No heat is an emergency in winter, from 15 November to 15 March
    Given it is <day> at 20:00
    And the call was forwarded because of the schedule
    When the caller answers "problem" with "no_heat"
    Then the urgency is "<urgency>"

    Examples:
      | day                  | urgency   |
      | Saturday 2026-11-14  | urgent    |
      | Sunday 2026-11-15    | emergency |
      | Friday 2027-01-15    | emergency |
      | Monday 2027-03-15    | emergency |
      | Tuesday 2027-03-16   | urgent    |

  Scenario: Until the outside temperature is given, broken cooling waits for it
    Given it is Wednesday 2026-07-15 at 14:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "no_cooling"
    Then the urgency is not decided yet
    And the agent must still ask for "outside"
    And no route is chosen yet
    And the script does not say "coolest room"

  Scenario: No cooling at exactly 104 °F at night is urgent: a message to the technician on call
    Given it is Wednesday 2026-07-15 at 22:00
    And the call was forwarded because of the schedule
    When the caller answers "problem" with "no_cooling"
    And the caller says the outside temperature is 104 °F
    Then the urgency is "urgent"
    And the script does not say "coolest room"
    And a message is taken with priority "high" and sent by sms to "Marco Reyes"

  Scenario: Smoke from the furnace on a Saturday night reaches the weekend technician
    Given it is Saturday 2026-07-18 at 23:00
    And the call was forwarded because of the schedule
    When the caller answers "problem" with "other"
    And the agent notes "there is smoke coming out of the furnace"
    Then the urgency is "emergency"
    And the call is escalated by "emergency" starting with "Ana Flores" by call

  Scenario: A maintenance request on the emergency line is urgent and goes to dispatch
    Given it is Wednesday 2026-07-15 at 10:00
    And the caller dialled "+17025550199"
    When the caller answers "problem" with "maintenance"
    Then the urgency is "urgent"
    And the call is patched to "Dispatch desk"
    And if that fails, a callback is queued within 1 hour

  # ---- everything else ------------------------------------------------------------------

  Scenario: A billing question becomes a message for dispatch
    Given it is Wednesday 2026-07-15 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "billing"
    Then the urgency is "routine"
    And a message is taken and sent by email to "Dispatch desk"

  Scenario: A routine maintenance request while open becomes a message
    Given it is Thursday 2026-07-16 at 11:00
    And the call was forwarded because nobody answered
    When the caller answers "problem" with "maintenance"
    Then the urgency is "routine"
    And a message is taken with priority "normal" and sent by email to "Dispatch desk"

  Scenario: The weekday and weekend technicians on call
    Given it is Saturday 2026-07-18 at 10:00
    Then "Ana Flores" is on call for "techs"
