Feature: Harbour Animal Hospital — a vet clinic in Sydney with an after-hours service
  After hours, Dr Raj Mehta and Dr Sophie Tran take turns every 3 days, handing over at
  18:00 (Dr Raj Mehta from Saturday 2026-11-28 18:00, Dr Sophie Tran from Tuesday
  2026-12-01 18:00, and so on). Poisoning, trauma and breathing trouble reach the vet on
  call at once; if nobody answers within five minutes, the caller is given the number of the
  24-hour emergency hospital. Routine calls go to the callback queue. Many clients speak
  Mandarin. On public holidays and during the Christmas break the clinic is closed: callers
  hear the after-hours greeting and urgent calls go to the vet on call, never to reception.

  Background:
    Given the client "harbour_vets"

  # ---- what the agent says --------------------------------------------------------------------

  Scenario: An ordinary call while the clinic is open
    Given it is Wednesday 2026-12-02 at 10:00
    And the call was forwarded because the line was busy
    When the call arrives
    Then the agent greets with "default"
    And the agent says "How can I help you and your pet?"
    And the script is "intake"
    And the windows include "open"

  Scenario: After hours the greeting names the vet on call
    Given it is Wednesday 2026-12-02 at 20:00
    And the call was forwarded because all calls are forwarded
    When the call arrives
    Then the agent greets with "after_hours"
    And the agent says "The vet on call is Dr Sophie Tran"
    And "Dr Sophie Tran" is on call for "vets"

  Scenario: A Mandarin-speaking client hears the after-hours greeting in Chinese
    Given it is Saturday 2026-12-05 at 23:00
    And the caller speaks Chinese
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "after_hours"
    And the agent greets in Chinese
    And the agent says "港湾动物医院夜间服务"
    And the agent says "值班兽医是Dr Raj Mehta"

  Scenario: A Mandarin-speaking client during the day hears the Chinese welcome
    Given it is Wednesday 2026-12-02 at 10:00
    And the caller speaks Chinese
    And the call was forwarded because nobody answered
    Then the agent greets with "default"
    And the agent says "请问有什么可以帮您"

  # ---- before the problem is known ----------------------------------------------------------------

  Scenario: Until the owner says what is happening, nothing is decided
    Given it is Wednesday 2026-12-02 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "owner" with "Jess Park"
    Then the urgency is not decided yet
    And no route is chosen yet
    And the agent must still ask for "problem"

  # ---- critical: the vet on call -------------------------------------------------------------------

  Scenario: Poisoning on Saturday night: the vet on call, then the emergency hospital
    Given it is Saturday 2026-12-05 at 23:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "poisoning"
    Then the urgency is "critical"
    And the call is escalated by "critical" starting with "Dr Raj Mehta" by call
    And if nobody acknowledges, the agent says "Please call the 24-hour animal emergency hospital now on 02 5550 0900" and hangs up
    And "Dr Raj Mehta" is on call for "vets"

  Scenario: The emergency hospital is announced in Chinese to a Mandarin-speaking client
    Given it is Saturday 2026-12-05 at 23:00
    And the caller speaks Chinese
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "breathing"
    Then if nobody acknowledges, the agent says "请立即拨打24小时动物急诊医院电话 02 5550 0900" and hangs up

  Scenario: "Snake" in the notes is critical before the problem is asked
    Given it is Thursday 2026-12-03 at 02:00
    And the call was forwarded because all calls are forwarded
    When the agent notes "Dog bitten by a snake in the garden"
    Then the urgency is "critical"
    And the call is escalated by "critical" starting with "Dr Sophie Tran" by call

  Scenario: Trauma while the clinic is open goes to reception first, then the vet on call
    Given it is Wednesday 2026-12-02 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "trauma"
    Then the urgency is "critical"
    And the call is patched to "Reception"
    And if that fails, the call is escalated by "critical" starting with "Dr Sophie Tran" by call

  # ---- urgent --------------------------------------------------------------------------------------

  Scenario: Vomiting while the clinic is open: reception, else a callback within 15 minutes
    Given it is Thursday 2026-12-03 at 11:00
    And the call was forwarded because nobody answered
    When the caller answers "problem" with "vomiting"
    Then the urgency is "urgent"
    And the call is patched to "Reception"
    And if that fails, a callback is queued within 15 minutes

  Scenario: Vomiting at night: the vet on call, else the emergency hospital
    Given it is Friday 2026-12-04 at 21:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "vomiting"
    Then the urgency is "urgent"
    And the call is patched to "Dr Raj Mehta"
    And if that fails, the call is patched to "24-hour animal emergency hospital"

  Scenario: A breeder on a service contract is urgent whatever the problem
    Given it is Sunday 2026-12-06 at 09:00
    And the caller is "+61255500302"
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "other"
    Then the urgency is "urgent"
    And the call is patched to "Dr Raj Mehta"

  # ---- routine -------------------------------------------------------------------------------------

  Scenario: An appointment request at night goes to voicemail
    Given it is Tuesday 2026-12-01 at 19:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "appointment"
    Then the urgency is "routine"
    And the call goes to voicemail

  Scenario: An appointment request while open goes to the callback queue
    Given it is Tuesday 2026-12-01 at 09:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "appointment"
    Then the urgency is "routine"
    And a callback is queued within 30 minutes

  Scenario: A medication question at night goes to the callback queue
    Given it is Monday 2026-11-30 at 22:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "medication"
    Then the urgency is "routine"
    And a callback is queued within 30 minutes

  # ---- holidays, closures and handovers (New South Wales) ----------------------------------------

  Scenario: Labour Day is a public holiday in New South Wales
    Given it is Monday 2026-10-05 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "after_hours"
    And the windows include "holiday"
    And the agent says "The vet on call is Dr Sophie Tran"

  Scenario: On Labour Day morning vomiting goes to the vet on call, not to the empty reception
    Given it is Monday 2026-10-05 at 10:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "vomiting"
    Then the agent greets with "after_hours"
    And the windows do not include "open"
    And the urgency is "urgent"
    And the call is patched to "Dr Sophie Tran"
    And if that fails, the call is patched to "24-hour animal emergency hospital"

  Scenario: Boxing Day falls on a Saturday, so Monday the 28th is a public holiday
    Given it is Monday 2026-12-28 at 10:00
    And the call was forwarded because all calls are forwarded
    Then the agent greets with "after_hours"
    And the windows include "holiday"

  Scenario: On the Boxing Day holiday an appointment request goes to voicemail
    Given it is Monday 2026-12-28 at 11:00
    And the call was forwarded because nobody answered
    When the caller answers "problem" with "appointment"
    Then the urgency is "routine"
    And the call goes to voicemail

  Scenario: Easter Saturday is a public holiday, so the Saturday morning clinic is closed
    Given it is Saturday 2026-04-04 at 09:00
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "trauma"
    Then the agent greets with "after_hours"
    And the windows include "holiday"
    And the windows do not include "open"
    And the urgency is "critical"
    And the call is escalated by "critical" starting with "Dr Raj Mehta" by call

  Scenario: On Good Friday a Mandarin-speaking client hears the after-hours greeting in Chinese
    Given it is Friday 2026-04-03 at 10:00
    And the caller speaks Chinese
    And the call was forwarded because all calls are forwarded
    When the caller answers "problem" with "breathing"
    Then the agent greets with "after_hours"
    And the agent says "值班兽医是Dr Raj Mehta"
    And the call is escalated by "critical" starting with "Dr Raj Mehta" by call
    And if nobody acknowledges, the agent says "请立即拨打24小时动物急诊医院电话 02 5550 0900" and hangs up

  Scenario: Christmas Eve morning the clinic is open and Dr Mehta is on call
    Given it is Thursday 2026-12-24 at 13:00
    And the call was forwarded because the line was busy
    Then the agent greets with "default"
    And "Dr Raj Mehta" is on call for "vets"

  Scenario: The Christmas break: closed, and Dr Tran covers it
    Given it is Thursday 2026-12-24 at 15:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "trauma"
    Then the agent greets with "after_hours"
    And the windows include "closed"
    And the call is escalated by "critical" starting with "Dr Sophie Tran" by call
    And "Dr Sophie Tran" is on call for "vets"

  Scenario: Vomiting during the Christmas break goes to Dr Tran, not to reception
    Given it is Thursday 2026-12-24 at 16:00
    And the call was forwarded because nobody answered
    When the caller answers "problem" with "vomiting"
    Then the agent greets with "after_hours"
    And the windows include "closed"
    And the windows do not include "holiday"
    And the urgency is "urgent"
    And the call is patched to "Dr Sophie Tran"

  Scenario: An appointment request during the Christmas break goes to voicemail
    Given it is Thursday 2026-12-24 at 17:00
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "appointment"
    Then the call goes to voicemail

  Scenario: Christmas Eve morning a critical call still goes to reception first
    Given it is Thursday 2026-12-24 at 13:59
    And the call was forwarded because the line was busy
    When the caller answers "problem" with "poisoning"
    Then the agent greets with "default"
    And the call is patched to "Reception"
    And if that fails, the call is escalated by "critical" starting with "Dr Raj Mehta" by call

  Scenario Outline: A winter handover still happens at 18:00 local time
    Given it is Wednesday 2026-07-01 at <time>
    Then "<vet>" is on call for "vets"

    Examples:
      | time  | vet            |
      | 17:30 | Dr Sophie Tran |
      | 18:30 | Dr Raj Mehta   |

  # ---- a week of calls -------------------------------------------------------------------------------

  Scenario Outline: A week of busy-line calls: the greeting and the vet on call
    Given it is <day> at <time>
    And the call was forwarded because the line was busy
    Then the agent greets with "<greeting>"
    And "<vet>" is on call for "vets"

    Examples:
      | day                  | time  | greeting    | vet            |
      | Monday 2026-11-30    | 07:59 | after_hours | Dr Raj Mehta   |
      | Monday 2026-11-30    | 08:00 | default     | Dr Raj Mehta   |
      | Tuesday 2026-12-01   | 17:59 | default     | Dr Raj Mehta   |
      | Tuesday 2026-12-01   | 18:00 | after_hours | Dr Sophie Tran |
      | Wednesday 2026-12-02 | 12:00 | default     | Dr Sophie Tran |
      | Friday 2026-12-04    | 17:59 | default     | Dr Sophie Tran |
      | Friday 2026-12-04    | 18:00 | after_hours | Dr Raj Mehta   |
      | Saturday 2026-12-05  | 08:29 | after_hours | Dr Raj Mehta   |
      | Saturday 2026-12-05  | 08:30 | default     | Dr Raj Mehta   |
      | Saturday 2026-12-05  | 12:30 | after_hours | Dr Raj Mehta   |
      | Sunday 2026-12-06    | 10:00 | after_hours | Dr Raj Mehta   |
      | Monday 2026-12-07    | 18:00 | after_hours | Dr Sophie Tran |
