Feature: Riverside Medical Group — a family practice in Manhattan with a doctor on call
  Riverside (New York) forwards calls when the staff are busy or do not answer, and every
  call after hours. Chest pain, a stroke or an unconscious patient always ends with "hang up
  and dial 911"; breathing trouble reaches the doctor on call and the triage nurse at once,
  and if nobody answers within five minutes the caller is told to dial 911. Many patients
  call in Spanish. On public holidays, the staff development day and during the flu clinic
  training the practice is closed: the greeting says so and nobody is put through to the
  empty front desk or to the triage nurse's office line.

  The doctors on call: Patel, Kim and Okafor take a week each, handing over on Monday at
  08:00 (the week of Monday 2026-11-23 is Dr. Kim's, the next Dr. Okafor's). Weekends are
  shared by Okafor and Patel, handing over on Saturday at 08:00 (Dr. Patel from Saturday
  2026-11-28). Thanksgiving Day falls in Dr. Kim's week, so Dr. Okafor covers it; Dr. Kim
  covers Thursday 2026-12-03, in Dr. Okafor's week, in return.

  Background:
    Given the client "riverside_medical"

  # ---- what the agent says ----------------------------------------------------------------

  Scenario: Staff busy with patients during opening hours
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "busy"
    And the agent says "Our staff are with patients"
    And the script is "triage"
    And the windows include "open"

  Scenario: A patient who dials the practice's service directly hears the ordinary greeting
    Given it is Wednesday 2026-11-25 at 15:00
    And the call was forwarded because the caller dialled the service directly
    When the call arrives
    Then the agent greets with "default"
    And the agent says "How may I help you?"

  Scenario: At night the agent reminds the caller of 911
    Given it is Tuesday 2026-11-24 at 21:00
    And the call was forwarded because all calls are forwarded
    When the call arrives
    Then the agent greets with "after_hours"
    And the agent says "Our offices are closed. If this is a medical emergency, please hang up and dial 911."
    And the windows do not include "open"

  Scenario: A Spanish-speaking patient hears the busy greeting in Spanish
    Given it is Tuesday 2026-11-24 at 10:00
    And the caller speaks Spanish
    And the call was forwarded because nobody answered
    Then the agent greets with "busy"
    And the agent greets in Spanish
    And the agent says "Nuestro personal está con pacientes"

  Scenario: A Spanish-speaking patient at night hears the 911 reminder in Spanish
    Given it is Saturday 2026-11-28 at 20:00
    And the caller speaks Spanish
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "after_hours"
    And the agent greets in Spanish
    And the agent says "cuelgue y marque el 911"

  Scenario: A French-speaking caller hears English, the practice's first language
    Given it is Tuesday 2026-11-24 at 10:00
    And the caller speaks French
    And the call was forwarded because the line was busy
    Then the agent greets with "busy"
    And the agent greets in English

  # ---- before the symptom is known ----------------------------------------------------------

  Scenario: Until the caller gives the reason for the call, nothing is decided
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "name" with "Maria Lopez"
    Then the urgency is not decided yet
    And no route is chosen yet
    And the agent must still ask for "symptom"

  # ---- chest pain: 911 --------------------------------------------------------------------------

  Scenario: Chest pain: the caller is told to dial 911 and the call ends
    Given it is Tuesday 2026-11-24 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "chest_pain"
    Then the urgency is "emergency"
    And the agent says "Please hang up now and dial 911" and hangs up

  Scenario: Chest pain mentioned before the symptom question still ends with 911
    Given it is Sunday 2026-11-29 at 03:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "My husband has chest pain and is sweating"
    Then the urgency is "emergency"
    And the agent says "Please hang up now and dial 911" and hangs up

  Scenario: A possible stroke is 911 even during opening hours, whatever the reason given
    Given it is Wednesday 2026-11-25 at 11:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "other"
    And the agent notes "I think my mother is having a stroke"
    Then the urgency is "emergency"
    And the agent says "Please hang up now and dial 911" and hangs up

  Scenario: An unconscious patient is 911 before the reason is even asked
    Given it is Friday 2026-12-04 at 23:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "My father is unconscious on the floor"
    Then the urgency is "emergency"
    And the agent says "Please hang up now and dial 911" and hangs up

  Scenario: A Spanish-speaking caller with chest pain is told in Spanish
    Given it is Wednesday 2026-11-25 at 22:00
    And the caller speaks Spanish
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "chest_pain"
    Then the agent says "Por favor, cuelgue ahora y marque el 911" and hangs up

  # ---- the doctor on call -------------------------------------------------------------------------

  Scenario: Breathing trouble on Sunday night reaches the weekend doctor at once
    Given it is Sunday 2026-11-29 at 22:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "breathing"
    Then the agent greets with "after_hours"
    And the urgency is "emergency"
    And the call is escalated by "breathing" starting with "Dr. Anika Patel" by call
    And the call is escalated by "breathing" starting with "Nurse triage line" by call
    And if nobody acknowledges, the agent says "The doctor on call has not answered yet. Please hang up now and dial 911." and hangs up
    And "Dr. Anika Patel" is on call for "physicians"

  Scenario: A Spanish-speaking caller with breathing trouble is sent to 911 in Spanish if nobody answers
    Given it is Sunday 2026-11-29 at 22:30
    And the caller speaks Spanish
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "breathing"
    Then if nobody acknowledges, the agent says "Por favor, cuelgue ahora y marque el 911" and hangs up

  Scenario: Breathing trouble during opening hours also goes straight to the doctor on call
    Given it is Monday 2026-11-23 at 11:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "breathing"
    Then the agent greets with "busy"
    And the urgency is "emergency"
    And the call is escalated by "breathing" starting with "Dr. Daniel Kim" by call

  Scenario: "Can't breathe" in the notes is an emergency, but the reason must still be asked
    Chest pain would end the call with 911 instead, so the route waits for the symptom.
    Given it is Saturday 2026-11-28 at 07:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "He can't breathe properly"
    Then the urgency is "emergency"
    And no route is chosen yet
    And the agent must still ask for "symptom"

  Scenario: Early on Saturday the weekend doctor of the week before is still on call
    Given it is Saturday 2026-11-28 at 07:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "breathing"
    Then the urgency is "emergency"
    And the call is escalated by "breathing" starting with "Dr. Grace Okafor" by call
    And "Dr. Grace Okafor" is on call for "physicians"

  Scenario: A fever in the evening is urgent and reaches the doctor on call
    Given it is Wednesday 2026-11-25 at 20:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "fever"
    Then the urgency is "urgent"
    And the call is escalated by "physician" starting with "Dr. Daniel Kim" by call
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by sms to "Dr. Daniel Kim"

  # ---- during opening hours -------------------------------------------------------------------------

  Scenario: A fever during opening hours goes to the triage nurse, or a high-priority text
    Given it is Wednesday 2026-11-25 at 10:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "fever"
    Then the urgency is "urgent"
    And the call is patched to "Nurse triage line"
    And if that fails, a message is taken with priority "high" and sent by sms to "Nurse triage line"

  Scenario: Bleeding mentioned by the caller is urgent whatever the reason given
    Given it is Thursday 2026-12-03 at 14:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "other"
    And the agent notes "Cut on the hand, still bleeding a little"
    Then the urgency is "urgent"
    And the call is patched to "Nurse triage line"

  Scenario: A prescription request is a message to the front desk
    Given it is Thursday 2026-12-03 at 14:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "prescription"
    Then the urgency is "routine"
    And a message is taken and sent by email to "Front desk"

  Scenario: An appointment during opening hours is put through to the front desk
    Given it is Thursday 2026-12-03 at 14:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "appointment"
    Then the urgency is "routine"
    And the call is patched to "Front desk"
    And if that fails, a message is taken and sent by email to "Front desk"

  Scenario: An appointment on Saturday afternoon is taken as an ordinary message
    Given it is Saturday 2026-12-05 at 15:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "appointment"
    Then the urgency is "routine"
    And a message is taken with priority "normal" and sent by email to "Front desk"

  Scenario: Anything else is a message to the front desk, day or night
    Given it is Friday 2026-12-04 at 23:30
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "other"
    Then the urgency is "routine"
    And a message is taken and sent by email to "Front desk"

  # ---- holidays and closures (New York) --------------------------------------------------------------

  Scenario: Thanksgiving: the practice is closed and Dr. Okafor covers for Dr. Kim
    Given it is Thursday 2026-11-26 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "breathing"
    Then the agent greets with "after_hours"
    And the windows include "holiday"
    And the windows do not include "open"
    And the call is escalated by "breathing" starting with "Dr. Grace Okafor" by call
    And "Dr. Grace Okafor" is on call for "physicians"

  Scenario: On Thanksgiving morning an appointment call is a message, not a transfer to the empty front desk
    Given it is Thursday 2026-11-26 at 11:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "appointment"
    Then the agent greets with "after_hours"
    And the urgency is "routine"
    And a message is taken with priority "normal" and sent by email to "Front desk"

  Scenario: On Thanksgiving morning a fever reaches Dr. Okafor, not the triage nurse's office line
    Given it is Thursday 2026-11-26 at 09:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "fever"
    Then the urgency is "urgent"
    And the call is escalated by "physician" starting with "Dr. Grace Okafor" by call
    And if nobody acknowledges, a message is taken with priority "urgent" and sent by sms to "Dr. Grace Okafor"

  Scenario: Dr. Kim covers Thursday 2026-12-03 in return for Thanksgiving
    Given it is Thursday 2026-12-03 at 20:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "symptom" with "fever"
    Then the call is escalated by "physician" starting with "Dr. Daniel Kim" by call
    And "Dr. Daniel Kim" is on call for "physicians"

  Scenario: On Independence Day, a Saturday, the Saturday morning clinic is closed
    Given it is Saturday 2026-07-04 at 10:00
    And the caller speaks Spanish
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "appointment"
    Then the agent greets with "after_hours"
    And the agent greets in Spanish
    And the agent says "Nuestras oficinas están cerradas"
    And the windows include "holiday"
    And a message is taken and sent by email to "Front desk"

  Scenario: Election Day is a public holiday in New York
    Given it is Tuesday 2026-11-03 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"
    And the windows include "holiday"

  Scenario: On Election Day a fever reaches the doctor on call rather than the triage nurse
    Given it is Tuesday 2026-11-03 at 10:30
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "fever"
    Then the urgency is "urgent"
    And the call is escalated by "physician" starting with "Dr. Daniel Kim" by call

  Scenario: Columbus Day is a public holiday in New York
    Given it is Monday 2026-10-12 at 11:00
    And the call was forwarded because nobody answered
    Then the agent greets with "after_hours"

  Scenario: The staff development day is the practice's own holiday
    Given it is Friday 2026-10-09 at 10:00
    And the call was forwarded because the line was busy
    Then the agent greets with "after_hours"
    And the windows include "holiday"

  Scenario: On the staff development day an appointment call is a message for the front desk
    Given it is Friday 2026-10-09 at 14:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "appointment"
    Then a message is taken and sent by email to "Front desk"
    And "Dr. Anika Patel" is on call for "physicians"

  Scenario: The morning before the flu clinic training the practice is open
    Given it is Wednesday 2026-10-14 at 12:59
    And the call was forwarded because the line was busy
    Then the agent greets with "busy"

  Scenario: During the flu clinic training a fever reaches the doctor on call
    Given it is Wednesday 2026-10-14 at 13:30
    And the call was forwarded because the line was busy
    When the caller answers "symptom" with "fever"
    Then the agent greets with "after_hours"
    And the windows include "closed"
    And the urgency is "urgent"
    And the call is escalated by "physician" starting with "Dr. Daniel Kim" by call

  Scenario: During the flu clinic training an appointment call is a message, not a transfer
    Given it is Wednesday 2026-10-14 at 14:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "appointment"
    Then the agent greets with "after_hours"
    And the windows do not include "holiday"
    And a message is taken and sent by email to "Front desk"

  Scenario: After the flu clinic training the front desk takes calls again until 18:00
    Given it is Wednesday 2026-10-14 at 17:00
    And the call was forwarded because nobody answered
    When the caller answers "symptom" with "appointment"
    Then the agent greets with "busy"
    And the call is patched to "Front desk"

  # ---- a week of calls ---------------------------------------------------------------------------------

  Scenario Outline: A week of unanswered calls: the greeting and the doctor on call
    Given it is <day> at <time>
    And the call was forwarded because nobody answered
    Then the agent greets with "<greeting>"
    And "<doctor>" is on call for "physicians"

    Examples:
      | day                  | time  | greeting    | doctor           |
      | Monday 2026-11-23    | 07:59 | after_hours | Dr. Anika Patel  |
      | Monday 2026-11-23    | 08:00 | busy        | Dr. Daniel Kim   |
      | Tuesday 2026-11-24   | 17:59 | busy        | Dr. Daniel Kim   |
      | Tuesday 2026-11-24   | 18:00 | after_hours | Dr. Daniel Kim   |
      | Wednesday 2026-11-25 | 12:00 | busy        | Dr. Daniel Kim   |
      | Thursday 2026-11-26  | 07:59 | after_hours | Dr. Daniel Kim   |
      | Thursday 2026-11-26  | 10:00 | after_hours | Dr. Grace Okafor |
      | Friday 2026-11-27    | 07:59 | after_hours | Dr. Grace Okafor |
      | Friday 2026-11-27    | 09:00 | busy        | Dr. Daniel Kim   |
      | Saturday 2026-11-28  | 07:00 | after_hours | Dr. Grace Okafor |
      | Saturday 2026-11-28  | 09:00 | busy        | Dr. Anika Patel  |
      | Saturday 2026-11-28  | 13:00 | after_hours | Dr. Anika Patel  |
      | Sunday 2026-11-29    | 11:00 | after_hours | Dr. Anika Patel  |
      | Monday 2026-11-30    | 07:00 | after_hours | Dr. Daniel Kim   |
      | Monday 2026-11-30    | 08:00 | busy        | Dr. Grace Okafor |
      | Thursday 2026-12-03  | 07:59 | after_hours | Dr. Grace Okafor |
      | Thursday 2026-12-03  | 08:00 | busy        | Dr. Daniel Kim   |
      | Friday 2026-12-04    | 07:59 | after_hours | Dr. Daniel Kim   |
      | Friday 2026-12-04    | 08:00 | busy        | Dr. Grace Okafor |
